"""The contact book: contacts, the import formats, recipient lists."""
