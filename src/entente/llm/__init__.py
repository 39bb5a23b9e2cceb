"""A language model at the table: the `llm(...)` strategy and what it needs.

`client` speaks the OpenAI-compatible chat API (llama.cpp's server, vLLM, Ollama, hosted
services); `prompt` builds the prompt from what the party may see and the JSON schema its reply
must follow, and reads the reply back as an action; `cache` keeps replies on disk so a run
replays exactly; `strategy` is the negotiator that ties them together.
"""
