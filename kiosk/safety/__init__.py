"""Protection of the answers: safeguards, rate limits, moderation, retention."""
