import './base.css';
import './config.css';
import './runs.css';
