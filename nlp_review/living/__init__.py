"""Living reviews: database searches as records, one-step updates with new search exports,
PRISMA 2020 flow diagrams (project or one update), and dated evidence snapshots."""
