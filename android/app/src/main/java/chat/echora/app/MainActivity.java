package chat.echora.app;

import com.getcapacitor.BridgeActivity;

public class MainActivity extends BridgeActivity {}
