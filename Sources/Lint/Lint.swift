// Lint module. Contents arrive with its issue.
