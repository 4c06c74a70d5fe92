// StepGuardCLI module. Contents arrive with its issue.
