# bash completion for stepguard.
# Generated from the stepguard command table; do not edit.
# Regenerate with: swift run stepguard __generate-docs .

# The subcommands of a command path.
_stepguard_subcommands() {
    case "$1" in
        "") echo "lint fmt test validate authorize eval mutate keygen mint approve token audit gate replay catalog completions help" ;;
        "token") echo "verify inspect revoke" ;;
        "audit") echo "append checkpoint verify show prove verify-proof publish cosign witness-request" ;;
        "catalog") echo "import-mcp" ;;
    esac
}

# The options of a command path.
_stepguard_options() {
    case "$1" in
        "") echo "--version -V --help -h" ;;
        "lint") echo "--format --strict --fail-level --config -c --enable --disable --explain --list-rules --color --quiet -q --help -h" ;;
        "fmt") echo "--check --write -w --format --color --quiet -q --help -h" ;;
        "test") echo "--run --verbose -v --approvals --format --color --quiet -q --help -h" ;;
        "validate") echo "--policies -p --schema --format --color --quiet -q --help -h" ;;
        "authorize") echo "--policies -p --schema --entities --principal --action --resource --context --request --requests --format --color --quiet -q --help -h" ;;
        "eval") echo "--policies -p --approvals --format --audit --now --color --quiet -q --help -h" ;;
        "mutate") echo "--policies -p --approvals --output -o --force --format --audit --now --color --quiet -q --help -h" ;;
        "keygen") echo "--out -o --jwks --format --color --quiet -q --help -h" ;;
        "mint") echo "--key -k --policies -p --plan --step --identity --trust --approvals --audience --ttl --max-ttl --issuer --now --audit --format --color --quiet -q --help -h" ;;
        "approve") echo "--key -k --as --step --group --reject --ttl --note --out -o --policies -p --audit --list --log --session --call --approvals --now --format --color --quiet -q --help -h" ;;
        "token") echo "--help -h" ;;
        "token verify") echo "--key -k --jwks --audience --issuer --revoked --action --resource --step --plan --call --leeway --now --format --color --quiet -q --help -h" ;;
        "token inspect") echo "--format --color --quiet -q --help -h" ;;
        "token revoke") echo "--jti --plan --session --log --revoked --audit --format --color --quiet -q --help -h" ;;
        "audit") echo "--help -h" ;;
        "audit append") echo "--event --repair --now --format --color --quiet -q --help -h" ;;
        "audit checkpoint") echo "--key -k --origin --format --color --quiet -q --help -h" ;;
        "audit verify") echo "--key -k --from-checkpoint --require-signed --verbose -v --policies -p --tiles --witness --quorum --format --color --quiet -q --help -h" ;;
        "audit show") echo "--plan --format --color --quiet -q --help -h" ;;
        "audit prove") echo "--seq --key -k --tiles --format --color --quiet -q --help -h" ;;
        "audit verify-proof") echo "--key -k --record --witness --quorum --tiles --seq --format --color --quiet -q --help -h" ;;
        "audit publish") echo "--out -o --key -k --format --color --quiet -q --help -h" ;;
        "audit cosign") echo "--key -k --name --state --log-key --proof --now --format --color --quiet -q --help -h" ;;
        "audit witness-request") echo "--old --tiles --key -k --out -o --format --color --quiet -q --help -h" ;;
        "gate") echo "--host --policies -p --log --approvals --mode --allow-answer --lock-timeout --identity --trust --now --settings --dry-run --format --color --quiet -q --help -h" ;;
        "replay") echo "--policies -p --against --input --host --mode --root --now --format --color --quiet -q --help -h" ;;
        "catalog") echo "--help -h" ;;
        "catalog import-mcp") echo "--server --policies -p --host --schema --dry-run --format --color --quiet -q --help -h" ;;
        "completions") echo "--help -h" ;;
        "help") echo "--help -h" ;;
    esac
}

# What completes the value of an option (path, value, or words:LIST); fails for flags.
_stepguard_option_value() {
    case "$1 $2" in
        "lint --format") echo "words:text json sarif github" ;;
        "lint --fail-level") echo "words:error warning info none" ;;
        "lint --config"|"lint -c") echo "path" ;;
        "lint --enable") echo "value" ;;
        "lint --disable") echo "value" ;;
        "lint --explain") echo "value" ;;
        "lint --color") echo "words:auto always never" ;;
        "fmt --format") echo "words:text json" ;;
        "fmt --color") echo "words:auto always never" ;;
        "test --run") echo "value" ;;
        "test --approvals") echo "path" ;;
        "test --format") echo "words:text json junit" ;;
        "test --color") echo "words:auto always never" ;;
        "validate --policies"|"validate -p") echo "path" ;;
        "validate --schema") echo "path" ;;
        "validate --format") echo "words:text json" ;;
        "validate --color") echo "words:auto always never" ;;
        "authorize --policies"|"authorize -p") echo "path" ;;
        "authorize --schema") echo "path" ;;
        "authorize --entities") echo "path" ;;
        "authorize --principal") echo "value" ;;
        "authorize --action") echo "value" ;;
        "authorize --resource") echo "value" ;;
        "authorize --context") echo "path" ;;
        "authorize --request") echo "path" ;;
        "authorize --requests") echo "path" ;;
        "authorize --format") echo "words:text json" ;;
        "authorize --color") echo "words:auto always never" ;;
        "eval --policies"|"eval -p") echo "path" ;;
        "eval --approvals") echo "path" ;;
        "eval --format") echo "words:text json sarif github" ;;
        "eval --audit") echo "path" ;;
        "eval --now") echo "value" ;;
        "eval --color") echo "words:auto always never" ;;
        "mutate --policies"|"mutate -p") echo "path" ;;
        "mutate --approvals") echo "path" ;;
        "mutate --output"|"mutate -o") echo "path" ;;
        "mutate --format") echo "words:text json diff" ;;
        "mutate --audit") echo "path" ;;
        "mutate --now") echo "value" ;;
        "mutate --color") echo "words:auto always never" ;;
        "keygen --out"|"keygen -o") echo "path" ;;
        "keygen --format") echo "words:text json" ;;
        "keygen --color") echo "words:auto always never" ;;
        "mint --key"|"mint -k") echo "path" ;;
        "mint --policies"|"mint -p") echo "path" ;;
        "mint --plan") echo "path" ;;
        "mint --step") echo "value" ;;
        "mint --identity") echo "value" ;;
        "mint --trust") echo "path" ;;
        "mint --approvals") echo "path" ;;
        "mint --audience") echo "value" ;;
        "mint --ttl") echo "value" ;;
        "mint --max-ttl") echo "value" ;;
        "mint --issuer") echo "value" ;;
        "mint --now") echo "value" ;;
        "mint --audit") echo "path" ;;
        "mint --format") echo "words:text json" ;;
        "mint --color") echo "words:auto always never" ;;
        "approve --key"|"approve -k") echo "path" ;;
        "approve --as") echo "value" ;;
        "approve --step") echo "value" ;;
        "approve --group") echo "value" ;;
        "approve --ttl") echo "value" ;;
        "approve --note") echo "value" ;;
        "approve --out"|"approve -o") echo "path" ;;
        "approve --policies"|"approve -p") echo "path" ;;
        "approve --audit") echo "path" ;;
        "approve --log") echo "path" ;;
        "approve --session") echo "value" ;;
        "approve --call") echo "value" ;;
        "approve --approvals") echo "path" ;;
        "approve --now") echo "value" ;;
        "approve --format") echo "words:text json" ;;
        "approve --color") echo "words:auto always never" ;;
        "token verify --key"|"token verify -k") echo "path" ;;
        "token verify --jwks") echo "path" ;;
        "token verify --audience") echo "value" ;;
        "token verify --issuer") echo "value" ;;
        "token verify --revoked") echo "path" ;;
        "token verify --action") echo "value" ;;
        "token verify --resource") echo "value" ;;
        "token verify --step") echo "value" ;;
        "token verify --plan") echo "value" ;;
        "token verify --call") echo "path" ;;
        "token verify --leeway") echo "value" ;;
        "token verify --now") echo "value" ;;
        "token verify --format") echo "words:text json" ;;
        "token verify --color") echo "words:auto always never" ;;
        "token inspect --format") echo "words:text json" ;;
        "token inspect --color") echo "words:auto always never" ;;
        "token revoke --jti") echo "value" ;;
        "token revoke --plan") echo "value" ;;
        "token revoke --session") echo "value" ;;
        "token revoke --log") echo "path" ;;
        "token revoke --revoked") echo "path" ;;
        "token revoke --audit") echo "path" ;;
        "token revoke --format") echo "words:text json" ;;
        "token revoke --color") echo "words:auto always never" ;;
        "audit append --event") echo "path" ;;
        "audit append --now") echo "value" ;;
        "audit append --format") echo "words:text json" ;;
        "audit append --color") echo "words:auto always never" ;;
        "audit checkpoint --key"|"audit checkpoint -k") echo "path" ;;
        "audit checkpoint --origin") echo "value" ;;
        "audit checkpoint --format") echo "words:text json" ;;
        "audit checkpoint --color") echo "words:auto always never" ;;
        "audit verify --key"|"audit verify -k") echo "path" ;;
        "audit verify --from-checkpoint") echo "value" ;;
        "audit verify --policies"|"audit verify -p") echo "path" ;;
        "audit verify --tiles") echo "path" ;;
        "audit verify --witness") echo "value" ;;
        "audit verify --quorum") echo "value" ;;
        "audit verify --format") echo "words:text json" ;;
        "audit verify --color") echo "words:auto always never" ;;
        "audit show --plan") echo "value" ;;
        "audit show --format") echo "words:text json" ;;
        "audit show --color") echo "words:auto always never" ;;
        "audit prove --seq") echo "value" ;;
        "audit prove --key"|"audit prove -k") echo "path" ;;
        "audit prove --tiles") echo "path" ;;
        "audit prove --format") echo "words:text json tlog-proof" ;;
        "audit prove --color") echo "words:auto always never" ;;
        "audit verify-proof --key"|"audit verify-proof -k") echo "path" ;;
        "audit verify-proof --record") echo "path" ;;
        "audit verify-proof --witness") echo "value" ;;
        "audit verify-proof --quorum") echo "value" ;;
        "audit verify-proof --tiles") echo "path" ;;
        "audit verify-proof --seq") echo "value" ;;
        "audit verify-proof --format") echo "words:text json" ;;
        "audit verify-proof --color") echo "words:auto always never" ;;
        "audit publish --out"|"audit publish -o") echo "path" ;;
        "audit publish --key"|"audit publish -k") echo "path" ;;
        "audit publish --format") echo "words:text json" ;;
        "audit publish --color") echo "words:auto always never" ;;
        "audit cosign --key"|"audit cosign -k") echo "path" ;;
        "audit cosign --name") echo "value" ;;
        "audit cosign --state") echo "path" ;;
        "audit cosign --log-key") echo "path" ;;
        "audit cosign --proof") echo "path" ;;
        "audit cosign --now") echo "value" ;;
        "audit cosign --format") echo "words:text json" ;;
        "audit cosign --color") echo "words:auto always never" ;;
        "audit witness-request --old") echo "value" ;;
        "audit witness-request --tiles") echo "path" ;;
        "audit witness-request --key"|"audit witness-request -k") echo "path" ;;
        "audit witness-request --out"|"audit witness-request -o") echo "path" ;;
        "audit witness-request --format") echo "words:text json" ;;
        "audit witness-request --color") echo "words:auto always never" ;;
        "gate --host") echo "words:claude-code codex gemini cursor generic" ;;
        "gate --policies"|"gate -p") echo "path" ;;
        "gate --log") echo "path" ;;
        "gate --approvals") echo "path" ;;
        "gate --mode") echo "words:enforce log-only" ;;
        "gate --allow-answer") echo "words:none allow" ;;
        "gate --lock-timeout") echo "value" ;;
        "gate --identity") echo "value" ;;
        "gate --trust") echo "path" ;;
        "gate --now") echo "value" ;;
        "gate --settings") echo "path" ;;
        "gate --format") echo "words:text json" ;;
        "gate --color") echo "words:auto always never" ;;
        "replay --policies"|"replay -p") echo "path" ;;
        "replay --against") echo "path" ;;
        "replay --input") echo "words:transcript log events" ;;
        "replay --host") echo "value" ;;
        "replay --mode") echo "words:enforce log-only" ;;
        "replay --root") echo "path" ;;
        "replay --now") echo "value" ;;
        "replay --format") echo "words:text json sarif github" ;;
        "replay --color") echo "words:auto always never" ;;
        "catalog import-mcp --server") echo "value" ;;
        "catalog import-mcp --policies"|"catalog import-mcp -p") echo "path" ;;
        "catalog import-mcp --host") echo "value" ;;
        "catalog import-mcp --schema") echo "path" ;;
        "catalog import-mcp --format") echo "words:text json" ;;
        "catalog import-mcp --color") echo "words:auto always never" ;;
        *) return 1 ;;
    esac
}

# What completes the positional arguments of a command path.
_stepguard_positional() {
    case "$1" in
        "lint") echo "path" ;;
        "fmt") echo "path" ;;
        "test") echo "path" ;;
        "eval") echo "path" ;;
        "mutate") echo "path" ;;
        "approve") echo "path" ;;
        "token verify") echo "value" ;;
        "token inspect") echo "value" ;;
        "audit append") echo "path" ;;
        "audit checkpoint") echo "path" ;;
        "audit verify") echo "path" ;;
        "audit show") echo "path" ;;
        "audit prove") echo "path" ;;
        "audit verify-proof") echo "path" ;;
        "audit publish") echo "path" ;;
        "audit cosign") echo "path" ;;
        "audit witness-request") echo "path" ;;
        "gate") echo "words:install" ;;
        "replay") echo "path" ;;
        "catalog import-mcp") echo "path" ;;
        "completions") echo "words:bash zsh fish" ;;
        "help") echo "commands" ;;
    esac
}

# compgen -W splits its list and its output at IFS: keep the default there, and split
# file names only at newlines so names with spaces survive.
_stepguard_complete_kind() {
    local IFS=$' \t\n'
    case "$1" in
        words:*) COMPREPLY=($(compgen -W "${1#words:}" -- "$2")) ;;
        path) compopt -o filenames 2>/dev/null; IFS=$'\n'; COMPREPLY=($(compgen -f -- "$2")) ;;
        commands) COMPREPLY=($(compgen -W "$(_stepguard_subcommands "")" -- "$2")) ;;
        *) COMPREPLY=() ;;
    esac
}

_stepguard() {
    local cur="${COMP_WORDS[COMP_CWORD]}" prev="" word option path="" kind
    local i=1 options_ended=0
    COMPREPLY=()
    # Find the command path, skipping options and their values.
    while [ "$i" -lt "$COMP_CWORD" ]; do
        word="${COMP_WORDS[i]}"
        if [ "$options_ended" = 1 ]; then
            :
        elif [ "$word" = "--" ]; then
            options_ended=1
        elif [[ "$word" == --*=* ]]; then
            :
        elif [[ "$word" == -?* ]]; then
            option="$word"
            [[ "$word" != --* ]] && option="-${word: -1}"
            if _stepguard_option_value "$path" "$option" >/dev/null && [ "${COMP_WORDS[i+1]}" != "=" ]; then
                i=$((i + 1))
            fi
        elif [[ " $(_stepguard_subcommands "$path") " == *" $word "* ]]; then
            path="${path:+$path }$word"
        fi
        i=$((i + 1))
    done
    [ "$COMP_CWORD" -gt 0 ] && prev="${COMP_WORDS[COMP_CWORD-1]}"
    # The value of an option: --opt VALUE, --opt=VALUE (bash splits at the =), -o VALUE.
    option=""
    local prefix=""
    if [ "$options_ended" = 0 ] && [[ "$cur" == --*=* ]]; then
        option="${cur%%=*}"; prefix="$option="; cur="${cur#*=}"
    elif [ "$cur" = "=" ]; then
        option="$prev"; cur=""
    elif [ "$prev" = "=" ] && [ "$COMP_CWORD" -ge 2 ]; then
        option="${COMP_WORDS[COMP_CWORD-2]}"
    elif [ "$options_ended" = 0 ] && [[ "$prev" == -?* ]]; then
        option="$prev"
        [[ "$prev" != --* ]] && option="-${prev: -1}"
    fi
    if [ -n "$option" ] && kind="$(_stepguard_option_value "$path" "$option")"; then
        _stepguard_complete_kind "$kind" "$cur"
        if [ -n "$prefix" ]; then
            for i in "${!COMPREPLY[@]}"; do COMPREPLY[i]="$prefix${COMPREPLY[i]}"; done
        fi
        return 0
    fi
    local IFS=$' \t\n'
    if [ "$options_ended" = 0 ] && [[ "$cur" == -* ]]; then
        COMPREPLY=($(compgen -W "$(_stepguard_options "$path")" -- "$cur"))
        return 0
    fi
    local subcommands
    subcommands="$(_stepguard_subcommands "$path")"
    if [ -n "$subcommands" ]; then
        COMPREPLY=($(compgen -W "$subcommands" -- "$cur"))
        return 0
    fi
    _stepguard_complete_kind "$(_stepguard_positional "$path")" "$cur"
}

complete -F _stepguard stepguard
