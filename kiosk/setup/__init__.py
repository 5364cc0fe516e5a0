"""What staff set up: places, campaigns, questions, templates, translations, the demo."""
