GB().filter(len).run()
