GB('PythonReader').run()
