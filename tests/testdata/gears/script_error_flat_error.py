flat_error('plain text reply')
