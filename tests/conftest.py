import sys
from pathlib import Path

# Test modules share helpers (`from test_rule_samples import expected`).
sys.path.insert(0, str(Path(__file__).parent))
