// AuditLog module. Contents arrive with its issue.
