"""The served application, kept out of service/: it builds the schema, whose resolvers call
service/, which must not import it back."""
