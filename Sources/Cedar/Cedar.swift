// Cedar module. Contents arrive with its issue.
