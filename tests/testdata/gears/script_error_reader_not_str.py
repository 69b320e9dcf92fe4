GB(1)
