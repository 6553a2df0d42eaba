"""Extract: the spaCy pipeline and the rules that turn sentences into claims (triggers, roles, places, claim source/status, dates).

Nothing is imported here: import the module you need."""
