/// Shells stepguard writes completion scripts for.
public enum Shell: String, Sendable, CaseIterable {
    case bash, zsh, fish

    /// Where the script lives in the repository.
    public var fileName: String {
        switch self {
        case .bash: return "stepguard.bash"
        case .zsh: return "_stepguard"
        case .fish: return "stepguard.fish"
        }
    }
}

/// Completion scripts generated from the command table.
///
/// Every command path (`""`, `lint`, `token verify`) gets its subcommands, options, the kind of
/// each option's value and the kind of its positional arguments; the scripts walk the words
/// typed so far to find the path, then complete from those tables.
public enum CompletionScripts {
    /// The script for `shell`.
    public static func script(for shell: Shell, root: CommandSpec) -> String {
        switch shell {
        case .bash: return bash(root: root)
        case .zsh: return zsh(root: root)
        case .fish: return fish(root: root)
        }
    }

    /// Every visible command with its path, the root first.
    static func commands(_ root: CommandSpec) -> [(path: [String], command: CommandSpec)] {
        [([], root)] + root.visibleDescendants()
    }

    static let header = """
        Generated from the stepguard command table; do not edit.
        Regenerate with: swift run stepguard __generate-docs .
        """

    // MARK: - bash

    static func bash(root: CommandSpec) -> String {
        var out: [String] = []
        out.append("# bash completion for stepguard.")
        out += header.split(separator: "\n").map { "# " + $0 }
        out.append("")
        out.append("# The subcommands of a command path.")
        out.append("_stepguard_subcommands() {")
        out.append("    case \"$1\" in")
        for (path, command) in commands(root) where command.isGroup {
            out.append("        \"\(path.joined(separator: " "))\") echo \"\(command.visibleSubcommands.map(\.name).joined(separator: " "))\" ;;")
        }
        out.append("    esac")
        out.append("}")
        out.append("")
        out.append("# The options of a command path.")
        out.append("_stepguard_options() {")
        out.append("    case \"$1\" in")
        for (path, command) in commands(root) {
            let words = command.visibleOptions.flatMap { option in [option.longSpelling] + (option.shortSpelling.map { [$0] } ?? []) }
            out.append("        \"\(path.joined(separator: " "))\") echo \"\(words.joined(separator: " "))\" ;;")
        }
        out.append("    esac")
        out.append("}")
        out.append("")
        out.append("# What completes the value of an option (path, value, or words:LIST); fails for flags.")
        out.append("_stepguard_option_value() {")
        out.append("    case \"$1 $2\" in")
        for (path, command) in commands(root) {
            let prefix = path.joined(separator: " ")
            for option in command.allOptions where option.kind.takesValue {
                let spellings = ([option.longSpelling] + (option.shortSpelling.map { [$0] } ?? []))
                    .map { "\"\(prefix) \($0)\"" }.joined(separator: "|")
                out.append("        \(spellings)) echo \"\(bashKind(option.kind))\" ;;")
            }
        }
        out.append("        *) return 1 ;;")
        out.append("    esac")
        out.append("}")
        out.append("")
        out.append("# What completes the positional arguments of a command path.")
        out.append("_stepguard_positional() {")
        out.append("    case \"$1\" in")
        for (path, command) in commands(root) where !command.isGroup {
            guard let positional = command.positionals.first else { continue }
            out.append("        \"\(path.joined(separator: " "))\") echo \"\(bashKind(positional.kind))\" ;;")
        }
        out.append("    esac")
        out.append("}")
        out.append("")
        out.append(#"""
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
            """#)
        return out.joined(separator: "\n") + "\n"
    }

    static func bashKind(_ kind: OptionKind) -> String {
        switch kind {
        case .path: return "path"
        case .choice(let values): return "words:" + values.joined(separator: " ")
        case .command: return "commands"
        case .flag, .value, .integer, .duration: return "value"
        }
    }

    // MARK: - zsh

    static func zsh(root: CommandSpec) -> String {
        var out: [String] = []
        out.append("#compdef stepguard")
        out.append("# zsh completion for stepguard.")
        out += header.split(separator: "\n").map { "# " + $0 }
        for (path, command) in commands(root) {
            out.append("")
            let function = zshFunction(path)
            out.append("\(function)() {")
            if command.isGroup {
                out.append("    local curcontext=\"$curcontext\" state line")
                out.append("    typeset -A opt_args")
                out.append("    _arguments -C \\")
                for option in command.visibleOptions { out.append("        \(zshOption(option)) \\") }
                out.append("        '1: :\(function)_commands' \\")
                out.append("        '*:: :->command' && return")
                out.append("    case $state in")
                out.append("        command)")
                out.append("            curcontext=\"${curcontext%:*:*}:\(zshFunction(path).dropFirst())-$words[1]:\"")
                out.append("            case $words[1] in")
                for sub in command.visibleSubcommands {
                    out.append("                \(zshQuote(sub.name))) \(zshFunction(path + [sub.name])) ;;")
                }
                out.append("            esac")
                out.append("            ;;")
                out.append("    esac")
                out.append("}")
                out.append("")
                out.append("\(function)_commands() {")
                out.append("    local -a commands")
                out.append("    commands=(")
                for sub in command.visibleSubcommands {
                    out.append("        \(zshQuote(sub.name + ":" + sub.summary))")
                }
                out.append("    )")
                out.append("    _describe -t commands \(zshQuote((["stepguard"] + path).joined(separator: " ") + " command")) commands")
                out.append("}")
            } else {
                out.append("    _arguments \\")
                var specs = command.visibleOptions.map(zshOption)
                for positional in command.positionals {
                    let action = zshAction(positional.kind)
                    let prefix: String
                    switch positional.arity {
                    case .one: prefix = ":"
                    case .optional: prefix = "::"
                    case .oneOrMore, .zeroOrMore: prefix = "*:"
                    }
                    specs.append(zshQuote(prefix + zshEscape(positional.name) + ":" + action))
                }
                out.append(specs.map { "        " + $0 }.joined(separator: " \\\n"))
                out.append("}")
            }
        }
        out.append("")
        out.append("_stepguard \"$@\"")
        return out.joined(separator: "\n") + "\n"
    }

    static func zshFunction(_ path: [String]) -> String {
        (["_stepguard"] + path.map { $0.replacing("-", with: "_") }).joined(separator: "_")
    }

    static func zshOption(_ option: OptionSpec) -> String {
        let help = "[" + zshEscape(option.help) + "]"
        var value = ""
        if option.kind.takesValue {
            value = ":" + zshEscape(option.valueName) + ":" + zshAction(option.kind)
        }
        let exits = option.long == "help" || option.long == "version"
        let star = option.isRepeatable ? "*" : ""
        if let short = option.shortSpelling {
            let exclusion = exits ? "(- *)" : option.isRepeatable ? "" : "(\(short) \(option.longSpelling))"
            let forms = option.kind.takesValue ? "{\(short)+,\(option.longSpelling)=}" : "{\(short),\(option.longSpelling)}"
            return (exclusion.isEmpty ? "" : zshQuote(exclusion)) + star + forms + zshQuote(help + value)
        }
        let spelling = option.longSpelling + (option.kind.takesValue ? "=" : "")
        return zshQuote((exits ? "(- *)" : "") + star + spelling + help + value)
    }

    static func zshAction(_ kind: OptionKind) -> String {
        switch kind {
        case .path: return "_files"
        case .choice(let values): return "(" + values.joined(separator: " ") + ")"
        case .command: return "_stepguard_commands"
        case .flag, .value, .integer, .duration: return " "
        }
    }

    /// Text inside an `_arguments` spec: brackets and colons are syntax there.
    static func zshEscape(_ text: String) -> String {
        var out = ""
        for character in text {
            if "[]:\\".contains(character) { out.append("\\") }
            out.append(character)
        }
        return out
    }

    /// A single-quoted shell word.
    static func zshQuote(_ text: String) -> String {
        "'" + text.replacing("'", with: "'\\''") + "'"
    }

    // MARK: - fish

    static func fish(root: CommandSpec) -> String {
        var out: [String] = []
        out.append("# fish completion for stepguard.")
        out += header.split(separator: "\n").map { "# " + $0 }
        out.append("")
        out.append("function __stepguard_subcommands")
        out.append("    switch \"$argv[1]\"")
        for (path, command) in commands(root) where command.isGroup {
            out.append("        case \(fishQuote(path.joined(separator: " ")))")
            out.append("            echo \(command.visibleSubcommands.map(\.name).joined(separator: " "))")
        }
        out.append("    end")
        out.append("end")
        out.append("")
        out.append(#"""
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
            """#)
        for (path, command) in commands(root) {
            let condition = "-n " + fishQuote("__stepguard_at " + fishQuote(path.joined(separator: " ")))
            for sub in command.visibleSubcommands {
                out.append("complete -c stepguard \(condition) -a \(fishQuote(sub.name)) -d \(fishQuote(sub.summary))")
            }
            for option in command.visibleOptions {
                var line = "complete -c stepguard \(condition)"
                if let short = option.short { line += " -s \(short)" }
                line += " -l \(option.long)"
                switch option.kind {
                case .flag: break
                case .path: line += " -r -F"
                case .choice(let values): line += " -x -a " + fishQuote(values.joined(separator: " "))
                case .command: line += " -x -a " + fishQuote(root.visibleSubcommands.map(\.name).joined(separator: " "))
                case .value, .integer, .duration: line += " -x"
                }
                line += " -d " + fishQuote(option.help)
                out.append(line)
            }
            if let positional = command.positionals.first {
                switch positional.kind {
                case .path: out.append("complete -c stepguard \(condition) -F")
                case .choice(let values): out.append("complete -c stepguard \(condition) -x -a \(fishQuote(values.joined(separator: " ")))")
                case .command:
                    out.append("complete -c stepguard \(condition) -x -a \(fishQuote(root.visibleSubcommands.map(\.name).joined(separator: " ")))")
                case .flag, .value, .integer, .duration: break
                }
            }
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// A single-quoted fish word (fish allows `\'` and `\\` inside single quotes).
    static func fishQuote(_ text: String) -> String {
        "'" + text.replacing("\\", with: "\\\\").replacing("'", with: "\\'") + "'"
    }
}

