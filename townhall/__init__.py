"""Residents' questions to the town hall, agents' replies from AI drafts, answer cards, insight."""
