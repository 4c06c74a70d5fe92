// JSONValue module. Contents arrive with its issue.
