GB().groupby(lambda r: r).run()
