// ClientConfiguration and the client APIs take a Backoff; callers need not import TeamsSupport.
@_exported import struct TeamsSupport.Backoff
