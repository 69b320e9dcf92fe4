log('message', level='loud')
