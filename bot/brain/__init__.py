"""Answer, clarify or hand off (``brain.Brain``): embeddings, the FAISS index, classifiers,
signals, the decision and replies, and the index build (``build_index``). Runs in the action
server (Python 3.11, ``.venv``) and in ``make index``; imports only ``bot.core`` of ours.
"""
