"""Training-loop building blocks shared by every recipe; knows no domain (images, text, items)."""
