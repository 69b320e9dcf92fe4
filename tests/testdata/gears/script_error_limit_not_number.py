GB().limit('10').run()
