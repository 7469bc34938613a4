"""Helpers shared by tests and benches: benches import from here only, never from a suite.

- fixtures: the pytest plugin of the whole tree (personas, resident, town, fake_llm, site...);
- personas: the named staff (corinne, marius, aline, adele) and their one password;
- fakellm, wires: the fake LLM vendor over real HTTP (OpenAI, Anthropic, Mistral protocols)
  and its `Script`; providers: that vendor configured as the town's provider, or an adapter;
- documents: real PDFs and DOCX, data: URLs, documents stored and ingested;
- answers: the chat's SSE stream parsed into an `Answer`;
- liveapp: the app in uvicorn processes on an isolated database, or in a thread;
- liveclient: a resident over HTTP (sign in, ask, time the stream);
- browser: headless chromium (tabs, steps of residents and staff, axe-core, screenshots);
- sockets: free, refusing and hanging addresses; leaks: where secrets must not be found.

What only one suite uses stays in its folder (tests/faults/kit.py, tests/security/access.py...).
"""
