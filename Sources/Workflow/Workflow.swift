// Workflow module. Contents arrive with its issue.
