"""Clean: boilerplate removal and the clean stage's driver (raw document -> Article record).

Nothing is imported here: import the module you need."""
