GB().map(1).run()
