"""Training-loop building blocks shared by every recipe; knows no domain (no images, text or items)."""
