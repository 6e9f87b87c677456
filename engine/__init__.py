"""RNN Lab's engine: recurrent cells, traces and the lecture's models (PyTorch and numpy only)."""
