# fish completion for stepguard.
# Generated from the stepguard command table; do not edit.
# Regenerate with: swift run stepguard __generate-docs .

function __stepguard_subcommands
    switch "$argv[1]"
        case ''
            echo lint fmt test validate authorize eval mutate keygen mint token audit gate completions help
        case 'token'
            echo verify inspect revoke
        case 'audit'
            echo append checkpoint verify show prove verify-proof
    end
end

# The command path typed so far: '', 'lint', 'token verify'.
function __stepguard_path
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l path ''
    for token in $tokens
        if string match -q -- '-*' $token
            continue
        end
        set -l subcommands (string split ' ' -- (__stepguard_subcommands "$path"))
        if contains -- $token $subcommands
            set path (string trim -- "$path $token")
        else
            break
        end
    end
    echo $path
end

function __stepguard_at
    set -l path (__stepguard_path)
    test "$path" = "$argv[1]"
end

complete -c stepguard -f
complete -c stepguard -n '__stepguard_at \'\'' -a 'lint' -d 'parse, validate and lint policy files'
complete -c stepguard -n '__stepguard_at \'\'' -a 'fmt' -d 'rewrite policies in canonical form'
complete -c stepguard -n '__stepguard_at \'\'' -a 'test' -d 'run policy test suites'
complete -c stepguard -n '__stepguard_at \'\'' -a 'validate' -d 'type-check policies against a Cedar schema'
complete -c stepguard -n '__stepguard_at \'\'' -a 'authorize' -d 'answer one Cedar authorization request, or a batch'
complete -c stepguard -n '__stepguard_at \'\'' -a 'eval' -d 'dry-run a workflow plan: an outcome for every step'
complete -c stepguard -n '__stepguard_at \'\'' -a 'mutate' -d 'preview step mutations: the rewritten plan and a diff'
complete -c stepguard -n '__stepguard_at \'\'' -a 'keygen' -d 'make an Ed25519 key pair'
complete -c stepguard -n '__stepguard_at \'\'' -a 'mint' -d 'mint a credential for one allowed step of a plan'
complete -c stepguard -n '__stepguard_at \'\'' -a 'token' -d 'check, show and revoke credentials'
complete -c stepguard -n '__stepguard_at \'\'' -a 'audit' -d 'keep and check a tamper-evident audit log'
complete -c stepguard -n '__stepguard_at \'\'' -a 'gate' -d 'decide one live tool call from an agent host\'s hook'
complete -c stepguard -n '__stepguard_at \'\'' -a 'completions' -d 'print the shell completion script for bash, zsh or fish'
complete -c stepguard -n '__stepguard_at \'\'' -a 'help' -d 'show the help of a command'
complete -c stepguard -n '__stepguard_at \'\'' -s V -l version -d 'print the version and exit'
complete -c stepguard -n '__stepguard_at \'\'' -s h -l help -d 'show this help and exit'
complete -c stepguard -n '__stepguard_at \'lint\'' -l format -x -a 'text json sarif github' -d 'output format'
complete -c stepguard -n '__stepguard_at \'lint\'' -l strict -d 'fail on warnings too'
complete -c stepguard -n '__stepguard_at \'lint\'' -l fail-level -x -a 'error warning info none' -d 'lowest severity that makes the command fail; none never fails (default: the configuration\'s failLevel, else error)'
complete -c stepguard -n '__stepguard_at \'lint\'' -s c -l config -r -F -d 'read the configuration from FILE instead of the nearest .stepguard.json'
complete -c stepguard -n '__stepguard_at \'lint\'' -l enable -x -d 'enable a rule the configuration disables'
complete -c stepguard -n '__stepguard_at \'lint\'' -l disable -x -d 'disable a rule'
complete -c stepguard -n '__stepguard_at \'lint\'' -l explain -x -d 'describe a rule, with examples, and exit'
complete -c stepguard -n '__stepguard_at \'lint\'' -l list-rules -d 'list every rule with its id, severity and summary, and exit'
complete -c stepguard -n '__stepguard_at \'lint\'' -l color -x -a 'auto always never' -d 'colour the output'
complete -c stepguard -n '__stepguard_at \'lint\'' -s q -l quiet -d 'print only failures and the summary'
complete -c stepguard -n '__stepguard_at \'lint\'' -s h -l help -d 'show this help and exit'
complete -c stepguard -n '__stepguard_at \'lint\'' -F
complete -c stepguard -n '__stepguard_at \'fmt\'' -l check -d 'write nothing; fail and print a diff when a file would change'
complete -c stepguard -n '__stepguard_at \'fmt\'' -s w -l write -d 'rewrite the files in place'
complete -c stepguard -n '__stepguard_at \'fmt\'' -l format -x -a 'text json' -d 'output format'
complete -c stepguard -n '__stepguard_at \'fmt\'' -l color -x -a 'auto always never' -d 'colour the output'
complete -c stepguard -n '__stepguard_at \'fmt\'' -s q -l quiet -d 'print only failures and the summary'
complete -c stepguard -n '__stepguard_at \'fmt\'' -s h -l help -d 'show this help and exit'
complete -c stepguard -n '__stepguard_at \'fmt\'' -F
complete -c stepguard -n '__stepguard_at \'test\'' -l run -x -d 'run only the tests whose suite/name contains PATTERN (a glob when it has *)'
complete -c stepguard -n '__stepguard_at \'test\'' -s v -l verbose -d 'list passing tests too'
complete -c stepguard -n '__stepguard_at \'test\'' -l format -x -a 'text json junit' -d 'output format'
complete -c stepguard -n '__stepguard_at \'test\'' -l color -x -a 'auto always never' -d 'colour the output'
complete -c stepguard -n '__stepguard_at \'test\'' -s q -l quiet -d 'print only failures and the summary'
complete -c stepguard -n '__stepguard_at \'test\'' -s h -l help -d 'show this help and exit'
complete -c stepguard -n '__stepguard_at \'test\'' -F
complete -c stepguard -n '__stepguard_at \'validate\'' -s p -l policies -r -F -d 'a policy file or a directory of them'
complete -c stepguard -n '__stepguard_at \'validate\'' -l schema -r -F -d 'the Cedar schema, .cedarschema or JSON (default: the one in the policy directory)'
complete -c stepguard -n '__stepguard_at \'validate\'' -l format -x -a 'text json' -d 'output format'
complete -c stepguard -n '__stepguard_at \'validate\'' -l color -x -a 'auto always never' -d 'colour the output'
complete -c stepguard -n '__stepguard_at \'validate\'' -s q -l quiet -d 'print only failures and the summary'
complete -c stepguard -n '__stepguard_at \'validate\'' -s h -l help -d 'show this help and exit'
complete -c stepguard -n '__stepguard_at \'authorize\'' -s p -l policies -r -F -d 'a policy file or a directory of them'
complete -c stepguard -n '__stepguard_at \'authorize\'' -l schema -r -F -d 'a Cedar schema: typed entities, context and request validation'
complete -c stepguard -n '__stepguard_at \'authorize\'' -l entities -r -F -d 'Cedar entity JSON (default: no entities)'
complete -c stepguard -n '__stepguard_at \'authorize\'' -l principal -x -d 'the principal of a single request'
complete -c stepguard -n '__stepguard_at \'authorize\'' -l action -x -d 'the action of a single request'
complete -c stepguard -n '__stepguard_at \'authorize\'' -l resource -x -d 'the resource of a single request'
complete -c stepguard -n '__stepguard_at \'authorize\'' -l context -r -F -d 'the context record of a single request, as JSON'
complete -c stepguard -n '__stepguard_at \'authorize\'' -l request -r -F -d 'a request as a JSON file'
complete -c stepguard -n '__stepguard_at \'authorize\'' -l requests -r -F -d 'many requests as JSON Lines, one per line; - reads stdin'
complete -c stepguard -n '__stepguard_at \'authorize\'' -l format -x -a 'text json' -d 'output format'
complete -c stepguard -n '__stepguard_at \'authorize\'' -l color -x -a 'auto always never' -d 'colour the output'
complete -c stepguard -n '__stepguard_at \'authorize\'' -s q -l quiet -d 'print only failures and the summary'
complete -c stepguard -n '__stepguard_at \'authorize\'' -s h -l help -d 'show this help and exit'
complete -c stepguard -n '__stepguard_at \'eval\'' -s p -l policies -r -F -d 'the policy directory (default: the one next to the plan, then ./policies)'
complete -c stepguard -n '__stepguard_at \'eval\'' -l format -x -a 'text json sarif github' -d 'output format'
complete -c stepguard -n '__stepguard_at \'eval\'' -l audit -r -F -d 'append a record of every decision to this audit log'
complete -c stepguard -n '__stepguard_at \'eval\'' -l now -x -d 'take this RFC 3339 time as the current time (freeze windows, tests)'
complete -c stepguard -n '__stepguard_at \'eval\'' -l color -x -a 'auto always never' -d 'colour the output'
complete -c stepguard -n '__stepguard_at \'eval\'' -s q -l quiet -d 'print only failures and the summary'
complete -c stepguard -n '__stepguard_at \'eval\'' -s h -l help -d 'show this help and exit'
complete -c stepguard -n '__stepguard_at \'eval\'' -F
complete -c stepguard -n '__stepguard_at \'mutate\'' -s p -l policies -r -F -d 'the policy directory (default: the one next to the plan, then ./policies)'
complete -c stepguard -n '__stepguard_at \'mutate\'' -s o -l output -r -F -d 'write the rewritten plan to FILE'
complete -c stepguard -n '__stepguard_at \'mutate\'' -l format -x -a 'text json diff' -d 'output format'
complete -c stepguard -n '__stepguard_at \'mutate\'' -l audit -r -F -d 'append a record of every decision to this audit log'
complete -c stepguard -n '__stepguard_at \'mutate\'' -l now -x -d 'take this RFC 3339 time as the current time (freeze windows, tests)'
complete -c stepguard -n '__stepguard_at \'mutate\'' -l color -x -a 'auto always never' -d 'colour the output'
complete -c stepguard -n '__stepguard_at \'mutate\'' -s q -l quiet -d 'print only failures and the summary'
complete -c stepguard -n '__stepguard_at \'mutate\'' -s h -l help -d 'show this help and exit'
complete -c stepguard -n '__stepguard_at \'mutate\'' -F
complete -c stepguard -n '__stepguard_at \'keygen\'' -s o -l out -r -F -d 'write PREFIX.key and PREFIX.pub'
complete -c stepguard -n '__stepguard_at \'keygen\'' -l jwks -d 'also print the public key as a JWKS, kid = its RFC 7638 thumbprint'
complete -c stepguard -n '__stepguard_at \'keygen\'' -l format -x -a 'text json' -d 'output format'
complete -c stepguard -n '__stepguard_at \'keygen\'' -l color -x -a 'auto always never' -d 'colour the output'
complete -c stepguard -n '__stepguard_at \'keygen\'' -s q -l quiet -d 'print only failures and the summary'
complete -c stepguard -n '__stepguard_at \'keygen\'' -s h -l help -d 'show this help and exit'
complete -c stepguard -n '__stepguard_at \'mint\'' -s k -l key -r -F -d 'the issuer\'s Ed25519 private key (PKCS#8 PEM or JWK)'
complete -c stepguard -n '__stepguard_at \'mint\'' -l plan -r -F -d 'the workflow plan, as JSON'
complete -c stepguard -n '__stepguard_at \'mint\'' -l step -x -d 'the id of the step to mint for'
complete -c stepguard -n '__stepguard_at \'mint\'' -s p -l policies -r -F -d 'the policy directory (default: the one next to the plan, then ./policies)'
complete -c stepguard -n '__stepguard_at \'mint\'' -l audience -x -d 'the aud claim: the service that will accept the credential'
complete -c stepguard -n '__stepguard_at \'mint\'' -l ttl -x -d 'lifetime of the credential'
complete -c stepguard -n '__stepguard_at \'mint\'' -l max-ttl -x -d 'lower the hard cap of 1h on the lifetime (it cannot be raised)'
complete -c stepguard -n '__stepguard_at \'mint\'' -l issuer -x -d 'the iss claim'
complete -c stepguard -n '__stepguard_at \'mint\'' -l now -x -d 'take this RFC 3339 time as the current time (freeze windows, tests)'
complete -c stepguard -n '__stepguard_at \'mint\'' -l audit -r -F -d 'append a record of every decision to this audit log'
complete -c stepguard -n '__stepguard_at \'mint\'' -l format -x -a 'text json' -d 'output format'
complete -c stepguard -n '__stepguard_at \'mint\'' -l color -x -a 'auto always never' -d 'colour the output'
complete -c stepguard -n '__stepguard_at \'mint\'' -s q -l quiet -d 'print only failures and the summary'
complete -c stepguard -n '__stepguard_at \'mint\'' -s h -l help -d 'show this help and exit'
complete -c stepguard -n '__stepguard_at \'token\'' -a 'verify' -d 'verify a credential against a public key'
complete -c stepguard -n '__stepguard_at \'token\'' -a 'inspect' -d 'show a credential\'s claims without verifying them'
complete -c stepguard -n '__stepguard_at \'token\'' -a 'revoke' -d 'revoke a credential by its jti'
complete -c stepguard -n '__stepguard_at \'token\'' -s h -l help -d 'show this help and exit'
complete -c stepguard -n '__stepguard_at \'token verify\'' -s k -l key -r -F -d 'the issuer\'s public key (SPKI PEM or JWK)'
complete -c stepguard -n '__stepguard_at \'token verify\'' -l jwks -r -F -d 'a JWKS holding the issuer\'s keys, chosen by kid'
complete -c stepguard -n '__stepguard_at \'token verify\'' -l audience -x -d 'require this aud claim'
complete -c stepguard -n '__stepguard_at \'token verify\'' -l issuer -x -d 'require this iss claim'
complete -c stepguard -n '__stepguard_at \'token verify\'' -l revoked -r -F -d 'a revocation file: one revoked jti per line'
complete -c stepguard -n '__stepguard_at \'token verify\'' -l leeway -x -d 'clock skew allowed on exp and nbf'
complete -c stepguard -n '__stepguard_at \'token verify\'' -l now -x -d 'take this RFC 3339 time as the current time (freeze windows, tests)'
complete -c stepguard -n '__stepguard_at \'token verify\'' -l format -x -a 'text json' -d 'output format'
complete -c stepguard -n '__stepguard_at \'token verify\'' -l color -x -a 'auto always never' -d 'colour the output'
complete -c stepguard -n '__stepguard_at \'token verify\'' -s q -l quiet -d 'print only failures and the summary'
complete -c stepguard -n '__stepguard_at \'token verify\'' -s h -l help -d 'show this help and exit'
complete -c stepguard -n '__stepguard_at \'token inspect\'' -l format -x -a 'text json' -d 'output format'
complete -c stepguard -n '__stepguard_at \'token inspect\'' -l color -x -a 'auto always never' -d 'colour the output'
complete -c stepguard -n '__stepguard_at \'token inspect\'' -s q -l quiet -d 'print only failures and the summary'
complete -c stepguard -n '__stepguard_at \'token inspect\'' -s h -l help -d 'show this help and exit'
complete -c stepguard -n '__stepguard_at \'token revoke\'' -l jti -x -d 'the jti claim of the credential to revoke'
complete -c stepguard -n '__stepguard_at \'token revoke\'' -l revoked -r -F -d 'the revocation file'
complete -c stepguard -n '__stepguard_at \'token revoke\'' -l audit -r -F -d 'append a record of every decision to this audit log'
complete -c stepguard -n '__stepguard_at \'token revoke\'' -l format -x -a 'text json' -d 'output format'
complete -c stepguard -n '__stepguard_at \'token revoke\'' -l color -x -a 'auto always never' -d 'colour the output'
complete -c stepguard -n '__stepguard_at \'token revoke\'' -s q -l quiet -d 'print only failures and the summary'
complete -c stepguard -n '__stepguard_at \'token revoke\'' -s h -l help -d 'show this help and exit'
complete -c stepguard -n '__stepguard_at \'audit\'' -a 'append' -d 'append an event to an audit log'
complete -c stepguard -n '__stepguard_at \'audit\'' -a 'checkpoint' -d 'sign a checkpoint of an audit log'
complete -c stepguard -n '__stepguard_at \'audit\'' -a 'verify' -d 'check an audit log record by record'
complete -c stepguard -n '__stepguard_at \'audit\'' -a 'show' -d 'show the action path of a plan from an audit log'
complete -c stepguard -n '__stepguard_at \'audit\'' -a 'prove' -d 'print an inclusion proof for one record'
complete -c stepguard -n '__stepguard_at \'audit\'' -a 'verify-proof' -d 'check an inclusion proof offline'
complete -c stepguard -n '__stepguard_at \'audit\'' -s h -l help -d 'show this help and exit'
complete -c stepguard -n '__stepguard_at \'audit append\'' -l event -r -F -d 'the event as JSON; - reads stdin'
complete -c stepguard -n '__stepguard_at \'audit append\'' -l repair -d 'drop a torn last line before appending'
complete -c stepguard -n '__stepguard_at \'audit append\'' -l now -x -d 'take this RFC 3339 time as the current time (freeze windows, tests)'
complete -c stepguard -n '__stepguard_at \'audit append\'' -l format -x -a 'text json' -d 'output format'
complete -c stepguard -n '__stepguard_at \'audit append\'' -l color -x -a 'auto always never' -d 'colour the output'
complete -c stepguard -n '__stepguard_at \'audit append\'' -s q -l quiet -d 'print only failures and the summary'
complete -c stepguard -n '__stepguard_at \'audit append\'' -s h -l help -d 'show this help and exit'
complete -c stepguard -n '__stepguard_at \'audit append\'' -F
complete -c stepguard -n '__stepguard_at \'audit checkpoint\'' -s k -l key -r -F -d 'the Ed25519 private key that signs the checkpoint'
complete -c stepguard -n '__stepguard_at \'audit checkpoint\'' -l origin -x -d 'the checkpoint origin line (default: the log\'s file name)'
complete -c stepguard -n '__stepguard_at \'audit checkpoint\'' -l format -x -a 'text json' -d 'output format'
complete -c stepguard -n '__stepguard_at \'audit checkpoint\'' -l color -x -a 'auto always never' -d 'colour the output'
complete -c stepguard -n '__stepguard_at \'audit checkpoint\'' -s q -l quiet -d 'print only failures and the summary'
complete -c stepguard -n '__stepguard_at \'audit checkpoint\'' -s h -l help -d 'show this help and exit'
complete -c stepguard -n '__stepguard_at \'audit checkpoint\'' -F
complete -c stepguard -n '__stepguard_at \'audit verify\'' -s k -l key -r -F -d 'a public key checkpoints are signed with (repeatable)'
complete -c stepguard -n '__stepguard_at \'audit verify\'' -l from-checkpoint -x -d 'trust the checkpoint of N records and verify only the records after it'
complete -c stepguard -n '__stepguard_at \'audit verify\'' -l require-signed -d 'records after the last checkpoint signed by a --key are a fault, not a notice'
complete -c stepguard -n '__stepguard_at \'audit verify\'' -s v -l verbose -d 'also list every checkpoint and how it fared'
complete -c stepguard -n '__stepguard_at \'audit verify\'' -l format -x -a 'text json' -d 'output format'
complete -c stepguard -n '__stepguard_at \'audit verify\'' -l color -x -a 'auto always never' -d 'colour the output'
complete -c stepguard -n '__stepguard_at \'audit verify\'' -s q -l quiet -d 'print only failures and the summary'
complete -c stepguard -n '__stepguard_at \'audit verify\'' -s h -l help -d 'show this help and exit'
complete -c stepguard -n '__stepguard_at \'audit verify\'' -F
complete -c stepguard -n '__stepguard_at \'audit show\'' -l plan -x -d 'show only this plan (default: every plan)'
complete -c stepguard -n '__stepguard_at \'audit show\'' -l format -x -a 'text json' -d 'output format'
complete -c stepguard -n '__stepguard_at \'audit show\'' -l color -x -a 'auto always never' -d 'colour the output'
complete -c stepguard -n '__stepguard_at \'audit show\'' -s q -l quiet -d 'print only failures and the summary'
complete -c stepguard -n '__stepguard_at \'audit show\'' -s h -l help -d 'show this help and exit'
complete -c stepguard -n '__stepguard_at \'audit show\'' -F
complete -c stepguard -n '__stepguard_at \'audit prove\'' -l seq -x -d 'the record\'s sequence number'
complete -c stepguard -n '__stepguard_at \'audit prove\'' -s k -l key -r -F -d 'use only checkpoints signed by this public key (repeatable)'
complete -c stepguard -n '__stepguard_at \'audit prove\'' -l format -x -a 'text json' -d 'output format'
complete -c stepguard -n '__stepguard_at \'audit prove\'' -l color -x -a 'auto always never' -d 'colour the output'
complete -c stepguard -n '__stepguard_at \'audit prove\'' -s q -l quiet -d 'print only failures and the summary'
complete -c stepguard -n '__stepguard_at \'audit prove\'' -s h -l help -d 'show this help and exit'
complete -c stepguard -n '__stepguard_at \'audit prove\'' -F
complete -c stepguard -n '__stepguard_at \'audit verify-proof\'' -s k -l key -r -F -d 'a public key checkpoints are signed with (repeatable)'
complete -c stepguard -n '__stepguard_at \'audit verify-proof\'' -l record -r -F -d 'the record line the proof must be about (default: the one in the proof)'
complete -c stepguard -n '__stepguard_at \'audit verify-proof\'' -l format -x -a 'text json' -d 'output format'
complete -c stepguard -n '__stepguard_at \'audit verify-proof\'' -l color -x -a 'auto always never' -d 'colour the output'
complete -c stepguard -n '__stepguard_at \'audit verify-proof\'' -s q -l quiet -d 'print only failures and the summary'
complete -c stepguard -n '__stepguard_at \'audit verify-proof\'' -s h -l help -d 'show this help and exit'
complete -c stepguard -n '__stepguard_at \'audit verify-proof\'' -F
complete -c stepguard -n '__stepguard_at \'gate\'' -l host -x -a 'claude-code' -d 'the agent host whose hook runs the gate'
complete -c stepguard -n '__stepguard_at \'gate\'' -s p -l policies -r -F -d 'the policy directory (default: STEPGUARD_POLICIES, then .stepguard/policies above the event\'s cwd)'
complete -c stepguard -n '__stepguard_at \'gate\'' -l log -r -F -d 'the audit log (default: STEPGUARD_LOG, then .stepguard/audit.log above the event\'s cwd)'
complete -c stepguard -n '__stepguard_at \'gate\'' -l mode -x -a 'enforce log-only' -d 'enforce the decisions, or only record them'
complete -c stepguard -n '__stepguard_at \'gate\'' -l allow-answer -x -a 'none allow' -d 'what an allowed call is answered: no decision, or the host\'s allow (skips its prompt)'
complete -c stepguard -n '__stepguard_at \'gate\'' -l lock-timeout -x -d 'the longest wait for the log\'s lock, in milliseconds'
complete -c stepguard -n '__stepguard_at \'gate\'' -l now -x -d 'take this RFC 3339 time as the current time (freeze windows, tests)'
complete -c stepguard -n '__stepguard_at \'gate\'' -l settings -r -F -d 'gate install: the host settings file (default: .claude/settings.json)'
complete -c stepguard -n '__stepguard_at \'gate\'' -l dry-run -d 'gate install: print the change without writing it'
complete -c stepguard -n '__stepguard_at \'gate\'' -l format -x -a 'text json' -d 'output format'
complete -c stepguard -n '__stepguard_at \'gate\'' -l color -x -a 'auto always never' -d 'colour the output'
complete -c stepguard -n '__stepguard_at \'gate\'' -s q -l quiet -d 'print only failures and the summary'
complete -c stepguard -n '__stepguard_at \'gate\'' -s h -l help -d 'show this help and exit'
complete -c stepguard -n '__stepguard_at \'gate\'' -x -a 'install'
complete -c stepguard -n '__stepguard_at \'completions\'' -s h -l help -d 'show this help and exit'
complete -c stepguard -n '__stepguard_at \'completions\'' -x -a 'bash zsh fish'
complete -c stepguard -n '__stepguard_at \'help\'' -s h -l help -d 'show this help and exit'
complete -c stepguard -n '__stepguard_at \'help\'' -x -a 'lint fmt test validate authorize eval mutate keygen mint token audit gate completions help'
