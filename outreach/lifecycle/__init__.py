"""The life of a conversation: threads, the pure due rules, the agenda and its calendar export."""
