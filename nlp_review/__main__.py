from nlp_review.cli.app import main

main()
