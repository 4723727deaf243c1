"""``python -m qualcode``: the command line, where the ``qualcode`` script is not on PATH."""
from qualcode.launch import main

if __name__ == "__main__":
    main()
