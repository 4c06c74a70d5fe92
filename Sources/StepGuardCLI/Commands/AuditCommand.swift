/// `stepguard audit ...`
enum AuditCommand {
    static let spec = CommandSpec(
        name: "audit",
        summary: "keep and check a tamper-evident audit log",
        discussion: """
            The log is JSON Lines: one canonical JSON record per event (decision, mutation, \
            approval, mint, execution, revocation), each carrying its sequence number, time, the \
            hash of the previous record, the plan and step, the principal, action, resource, \
            outcome, policy ids and credential jti. Signed checkpoints over an RFC 6962 Merkle tree \
            of the records let anyone holding the public key verify the log offline. audit publish \
            serves the log as C2SP tiles from any static host; witnesses cosign its checkpoints \
            (audit cosign, audit witness-request) so that it cannot show two histories.
            """,
        subcommands: [
            AuditAppendCommand.spec, AuditCheckpointCommand.spec, AuditVerifyCommand.spec,
            AuditShowCommand.spec, AuditProveCommand.spec, AuditVerifyProofCommand.spec,
            AuditPublishCommand.spec, AuditCosignCommand.spec, AuditWitnessRequestCommand.spec,
        ]
    )
}
