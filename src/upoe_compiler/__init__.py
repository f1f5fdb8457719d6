"""upoe-compiler: UPOE YAML entity specs to Supabase migrations, RLS policies and docs."""

__version__ = "0.1.0"
