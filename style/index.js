import './base.css';
import './config.css';
