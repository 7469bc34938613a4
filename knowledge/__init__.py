"""The town's knowledge: documents, ingestion, chunks, retrieval and prompt assembly."""
