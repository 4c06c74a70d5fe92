import AuditLog

/// `stepguard audit verify --tiles DIR`: the published-tree path of `audit verify`.
enum AuditVerifyTiles {
    static func run(_ context: CommandContext, directory: String, options: VerifyOptions) throws -> ExitCode {
        let args = context.arguments
        if args.positional("LOG") != nil {
            throw CLIError.invalidUsage("give either LOG or --tiles DIR, not both")
        }
        if args.isGiven("from-checkpoint") {
            throw CLIError.invalidUsage("--from-checkpoint applies to a log; a published tree is verified whole")
        }
        let report = try AuditLog.verifyPublished(at: directory, options: options)
        context.emit(VerifyReport(log: directory + "/tile/entries", report: report, verbose: args.flag("verbose")))
        return report.isIntact ? .success : .failure
    }
}
