"""Taking answers: the configuration snapshot, answers, paper counts, shown wishes."""
