"""Contracts every process shares: Redis key names, per-conversation order, conversation ids,
text folding, language, the FAQ and archive formats, settings helpers.

Imported by the Rasa server (Python 3.10) and the other processes (3.11) alike, so it stays
Python 3.10 syntax, imports nothing else of ours and no ML library.
"""
