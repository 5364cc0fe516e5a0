"""What every layer may use: configuration, errors, languages, safe text and JSON."""
