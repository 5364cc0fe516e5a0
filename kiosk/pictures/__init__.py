"""Pictures people give (children's drawings, event photos): checked, re-encoded, kept by hash."""
