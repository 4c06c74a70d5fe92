// Crypto module. Contents arrive with its issue.
