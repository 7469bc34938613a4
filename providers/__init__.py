"""LLM providers behind one small streaming contract, with settings, prices and fallback order."""
