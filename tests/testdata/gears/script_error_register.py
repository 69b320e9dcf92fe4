GB().register('prefix:*')
