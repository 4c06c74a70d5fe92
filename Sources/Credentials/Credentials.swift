// Credentials module. Contents arrive with its issue.
