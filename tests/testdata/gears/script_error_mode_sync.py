GB().run(mode='sync')
