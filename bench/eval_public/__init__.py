"""Retrieval-based intent classification on the public sets BANKING77 and CLINC150.

    python -m bench.eval_public [--embedders minilm,e5,use] [--cache var/bench/embeddings]

Frozen sentence embeddings from ``bot.brain.embeddings``; nothing is fine-tuned. Methods per
embedder: 1-NN and 10-NN (cosine, FAISS ``IndexFlatIP``) and a logistic regression trained
on the frozen vectors (the "light layer"); then the same logistic regression on the
concatenation of all embedders, alone and averaged with a word + character TF-IDF logistic
regression. On CLINC150, other out-of-scope scores for the same LR (energy, k-th neighbour
cosine, Mahalanobis distance, and their mixes with the max probability) are compared at a
stated in-scope rejection budget. Every choice (C, mixing weight, oos threshold, oos method)
is made on held-out train (BANKING77) or on the validation split (CLINC150), never on test.
Writes bench/results/public.{json,md}; embeddings are cached as .npy under the cache dir.

Modules: ``data`` (the two data sets), ``embeddings`` (cached encoding), ``classifiers`` and
``methods`` (what is compared), ``oos`` and ``oos_methods`` (CLINC150's out-of-scope scores),
``metrics`` and ``latency`` (how it is scored), ``evaluate`` (the whole run), ``report`` (the
Markdown), ``__main__`` (the command line).
"""
