"""Commands that write an author's files: ``kb fix`` (fix.py) and ``kb new`` (new.py).
They write through ``kb.textedit``, so a file is replaced whole or not at all."""
