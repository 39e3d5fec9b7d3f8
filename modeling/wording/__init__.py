"""The one catalogue of words advisors and clients read (French by default, English), feature labels and the phrases built from them."""
