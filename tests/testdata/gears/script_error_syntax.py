GB(.run()
